"""Export to .docx with AI-use labels, and verification of exported files."""
