"""Every write of the support process, one module per domain (like Zulip's `zerver/actions/`).

`base` is the kernel the domain modules share (lock a request, move its state, the level of a
new entry, queue a mail); a domain module imports the kernel, never another module's private
helper. `requests`, `agreements`, `records`, `accompaniment`, `completion`, `concepts`,
`mailboxes`; the intake of mail is in `lotse.support.mail.intake`."""
