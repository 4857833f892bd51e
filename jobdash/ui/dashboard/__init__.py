"""The Dashboard page: totals, the running job, the queue and the latest jobs."""
