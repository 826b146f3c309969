"""UploadConfig: validated, versioned config uploads (see README.md)."""
