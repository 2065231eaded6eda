"""Questionnaires returned by collectivités (Word, LibreOffice, PDF forms, spreadsheets,
pasted e-mail text) turned into fiches: `readers` finds the blocks of text (`blocks`,
`pdf_forms`, `spreadsheets`), `form` recognises the questions, `values` reads the
answers, `fiche` writes the YAML."""
