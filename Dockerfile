# Image of Les Ateliers ERP: trytond 8.0 with the four modules and the web
# client tryton-sao 8.0. Used by docker-compose.yml for the server, the cron
# and the worker services.

FROM node:20-bookworm-slim AS sao
# Pinned: config/nginx.conf allows the inline script of this version's
# index.html by its hash (Content-Security-Policy)
ARG SAO_VERSION=8.0.11
WORKDIR /opt/sao
RUN npm pack tryton-sao@${SAO_VERSION} \
    && tar -xzf tryton-sao-*.tgz \
    && rm tryton-sao-*.tgz \
    && cd package \
    && npm install --omit=dev --legacy-peer-deps --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TRYTOND_CONFIG=/etc/trytond/trytond.conf \
    TRYTOND_LOGGING_CONFIG=/etc/trytond/logging.conf
# Pango: WeasyPrint renders the HTML documents to PDF; LibreOffice
# converts the stock ODT reports of Tryton that are still printed as ODT
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        libreoffice-writer-nogui postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/ateliers
COPY pyproject.toml README.md ./
COPY addons ./addons
COPY ateliers ./ateliers
RUN pip install .
COPY --from=sao /opt/sao/package /opt/sao/package
COPY config/trytond.conf config/logging.conf /etc/trytond/
COPY docker-entrypoint.sh /usr/local/bin/
# The closings' signed archives ([ptce_sectors] archive_path): a volume
# of their own, owned by trytond
RUN useradd --system --home-dir /var/lib/trytond --create-home trytond \
    && install -d -o trytond -g trytond /var/lib/ateliers/pos-archives \
    && chmod +x /usr/local/bin/docker-entrypoint.sh
USER trytond
VOLUME /var/lib/trytond /var/lib/ateliers/pos-archives
EXPOSE 8000
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["trytond"]
