"""The single-job view: header, image gallery, timeline and logs of one job."""
