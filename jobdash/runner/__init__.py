"""The runner: job queue, pipeline stages, image generators, post-processing and QC."""
