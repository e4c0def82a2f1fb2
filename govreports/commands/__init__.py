"""One module per `govreports` subcommand; each defines `register(subparsers)`."""
