"""The campaign's legal record: the approving order every generated document cites, and the
registration of each signed act (its number and date, and the scan of the signed paper)."""
