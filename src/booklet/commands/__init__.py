"""What each command of the command line does (`build`, `watch`, `import_`, `new`; `serve`
is `web.server`); `cli` only parses arguments and calls these."""
