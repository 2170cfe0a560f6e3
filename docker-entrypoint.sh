#!/bin/sh
# Runs trytond, trytond-cron or trytond-worker on the database named by
# ATELIERS_DATABASE, with the logging configuration of the image.
set -e
: "${ATELIERS_DATABASE:?ATELIERS_DATABASE must name the database}"
case "$1" in
    trytond|trytond-cron|trytond-worker)
        command="$1"; shift
        # -d preloads the database: the first login fails without it
        exec "$command" --logconf "$TRYTOND_LOGGING_CONFIG" \
            -d "$ATELIERS_DATABASE" "$@" ;;
    *)
        exec "$@" ;;
esac
