"""The HTTP API's operations (``routes``), request bodies and answer schemas, free of any web
framework: ``jobdash.server.api`` serves them with Tornado, ``openapi`` describes them."""
