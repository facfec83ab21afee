"""Documents: the content store, upload checks, versions and review, generated .docx files."""
