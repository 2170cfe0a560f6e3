#!/bin/sh
# Runs trytond, trytond-cron or trytond-worker on the database named by
# ATELIERS_DATABASE (or on each of ATELIERS_DATABASES, names separated by
# spaces, for several hubs on one server: doc/operations.rst), with the
# logging configuration of the image.
set -e
: "${ATELIERS_DATABASE:?ATELIERS_DATABASE must name the database}"
databases=${ATELIERS_DATABASES:-$ATELIERS_DATABASE}
case "$1" in
    trytond|trytond-cron|trytond-worker)
        command="$1"; shift
        # -d preloads the databases: the first login fails without it
        set -f
        # shellcheck disable=SC2086 # one argument per database name
        exec "$command" --logconf "$TRYTOND_LOGGING_CONFIG" \
            -d $databases "$@" ;;
    *)
        exec "$@" ;;
esac
