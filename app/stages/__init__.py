"""What happens inside each stage: the records people fill, review and print."""
