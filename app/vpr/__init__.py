"""VPR results in the database: import jobs, stored results, sign runs and proposed lists.
The statistics themselves live in app.analytics; this package moves data in and out."""
