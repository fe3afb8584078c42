#!/bin/sh
set -eu
case "${1:-redis-server}" in -*) set -- redis-server "$@" ;; esac
if [ "${1:-}" = redis-server ]; then
  # Reachable from the other containers: no protected mode unless the command configures access itself.
  case " $* " in *" --requirepass "*|*" --bind "*|*" --protected-mode "*|*.conf*) ;; *) set -- "$@" --protected-mode no ;; esac
fi
exec "$@"
