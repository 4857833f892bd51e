"""The Job Management page: its state (JobListing, Selection) and the Viewers showing it."""
