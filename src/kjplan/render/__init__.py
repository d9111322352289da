"""Writers: lay out what the report model already says (docx per GB/T 9704, pdf via LibreOffice)."""
