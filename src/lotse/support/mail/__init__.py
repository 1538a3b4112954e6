"""Mail in: reading a site's mailbox (`imap`), parsing a message (`parse`), and what becomes of
it (`intake`: a new request, a reply to one, or quarantine)."""
