"""A SAML 2.0 identity provider made with pysaml2 (Debian's python3-pysaml2, xmlsec1 signing).

Software nobody on this project wrote, for the browser test of sign-in through SAML: it reads the
app's AuthnRequest at its redirect-binding SSO endpoint and answers with pysaml2's own
auto-submitting form (POST binding) holding a response whose assertion it signs (RSA-SHA256).
Run by test/support/pysaml2-idp.ts with Debian's /usr/bin/python3:

    /usr/bin/python3 pysaml2-idp.py SETTINGS.json

SETTINGS.json: {"port", "entityId", "rogueEntityId", "keyFile", "certFile", "spMetadataUrl"}. The
service provider's metadata is read from the app (as a provider's administrator loads it) at the
first sign-in, so this can start before the app, which needs its address and attribute names.
Once listening it prints one line of JSON to stdout: {"ready": true, "claims": {...}}, the attribute
names (URIs, the SAML2 attribute profile's) it sends the person's email, name, department and
location under.

POST /answer {"mode": ..., "user": {...}} sets how the following sign-ins are answered:
  success             a signed assertion answering the request
  rogue-issuer        the same, signed with the same key, but naming another entity id as issuer
  non-success         status Responder/AuthnFailed, yet carrying a signed assertion
  unsolicited         an assertion answering nothing (IdP-initiated), wrapped in a Response whose
                      InResponseTo names the app's live request (the unsigned wrapper is anyone's
                      to edit)
  other-destination   the Response's Destination names another service (Recipient stays ours)
  rsa-sha1            the assertion signed with RSA-SHA1 and a SHA-1 digest
GET /idp-initiated?RelayState=... answers no request at all (an IdP-initiated sign-in).
"""

import json
import re
import sys
from functools import cache
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse
from urllib.request import urlopen

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.attribute_converter import ac_factory, from_local_name
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, SCM_BEARER, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

MODES = {"success", "rogue-issuer", "non-success", "unsolicited", "other-destination", "rsa-sha1"}
# pysaml2's local (LDAP) names for what the app reads: email, name, department, location.
LOCAL_NAMES = {"email": "mail", "name": "displayName", "department": "ou", "location": "l"}

settings = json.load(open(sys.argv[1]))
base_url = f"http://127.0.0.1:{settings['port']}"
sso_url = f"{base_url}/sso/redirect"


@cache
def sp_metadata():
    with urlopen(settings["spMetadataUrl"], timeout=10) as response:
        return response.read().decode("utf-8")


@cache
def idp_server(entity_id):
    config = IdPConfig()
    config.load(
        {
            "entityid": entity_id,
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                    "sign_assertion": True,
                    "sign_response": False,
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": settings["keyFile"],
            "cert_file": settings["certFile"],
            "crypto_backend": "xmlsec1",
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "metadata": {"inline": [sp_metadata()]},
        }
    )
    return Server(config=config)


def idp():
    return idp_server(settings["entityId"])


def rogue():
    """Another entity holding the same key: what the company's provider (or someone with its key)
    could sign as. The app must take assertions only from the issuer it was told (SAML_IDP_ISSUER)."""
    return idp_server(settings["rogueEntityId"])


def sp_entity_id():
    return next(iter(idp().metadata.service_providers()))


claims = {
    claim: from_local_name(ac_factory(), local, NAME_FORMAT_URI).name
    for claim, local in LOCAL_NAMES.items()
}

# How the next sign-ins are answered (one request is served at a time: HTTPServer).
state = {"mode": "success", "user": None}


def signed_answer(in_response_to, destination, relay_state):
    """pysaml2's answer in its own auto-submitting HTML form (POST binding) to the app's ACS."""
    mode, user = state["mode"], state["user"]
    if user is None:
        raise ValueError("no colleague set: POST /answer first")
    server = rogue() if mode == "rogue-issuer" else idp()
    identity = {
        local: [user[claim]] for claim, local in LOCAL_NAMES.items() if user.get(claim) is not None
    }
    name_id = NameID(
        format=NAMEID_FORMAT_PERSISTENT,
        name_qualifier=server.config.entityid,
        sp_name_qualifier=sp_entity_id(),
        text=user["subject"],
    )
    options = {}
    if mode == "non-success":
        options["status"] = samlp.Status(
            status_code=samlp.StatusCode(
                value=samlp.STATUS_RESPONDER,
                status_code=samlp.StatusCode(value=samlp.STATUS_AUTHN_FAILED),
            ),
            status_message=samlp.StatusMessage(text="The colleague could not be authenticated"),
        )
    if mode == "other-destination":
        options["farg"] = {
            "assertion": {
                "subject": {
                    "subject_confirmation": {
                        "method": SCM_BEARER,
                        "subject_confirmation_data": {
                            "in_response_to": in_response_to,
                            "recipient": destination,
                        },
                    }
                }
            }
        }
    sha1 = mode == "rsa-sha1"
    response = server.create_authn_response(
        identity,
        None if mode == "unsolicited" else in_response_to,
        "https://elsewhere.example/acs" if mode == "other-destination" else destination,
        sp_entity_id(),
        name_id=name_id,
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_assertion=True,
        sign_response=False,
        sign_alg=SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA1 if sha1 else DIGEST_SHA256,
        **options,
    )
    xml = str(response)
    if mode == "unsolicited" and in_response_to:
        # The Response element is not signed (only the assertion is): naming the live request there
        # leaves the assertion's signature intact, as an attacker holding an unsolicited one would.
        xml = re.sub(
            r"<((?:\w+:)?Response) ", rf'<\1 InResponseTo="{in_response_to}" ', xml, count=1
        )
    http_args = server.apply_binding(BINDING_HTTP_POST, xml, destination, relay_state, response=True)
    return http_args["data"]


class Handler(BaseHTTPRequestHandler):
    def send_html(self, status, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        try:
            if url.path == "/sso/redirect":
                request = idp().parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
                args = idp().response_args(request.message, [BINDING_HTTP_POST])
                if args["sp_entity_id"] != sp_entity_id():
                    raise ValueError("an AuthnRequest from an unknown service provider")
                page = signed_answer(
                    args["in_response_to"], args["destination"], query.get("RelayState", "")
                )
            elif url.path == "/idp-initiated":
                acs = idp().metadata.assertion_consumer_service(sp_entity_id(), BINDING_HTTP_POST)
                page = signed_answer(None, acs[0]["location"], query.get("RelayState", ""))
            else:
                self.send_html(404, "<!DOCTYPE html><title>Not found</title>")
                return
        except Exception as error:  # the test's log shows why (stderr)
            print(f"pysaml2 IdP refused {url.path}: {error!r}", file=sys.stderr, flush=True)
            self.send_html(400, "<!DOCTYPE html><title>Refused</title><p>The request was refused.</p>")
            return
        self.send_html(200, page)

    def do_POST(self):
        if urlparse(self.path).path != "/answer":
            self.send_html(404, "<!DOCTYPE html><title>Not found</title>")
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if body.get("mode") not in MODES:
            self.send_html(400, "unknown mode")
            return
        state["mode"] = body["mode"]
        state["user"] = body.get("user", state["user"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):
        pass  # quiet: the test shows stderr only when something fails


httpd = HTTPServer(("127.0.0.1", settings["port"]), Handler)
print(json.dumps({"ready": True, "entityId": settings["entityId"], "claims": claims}), flush=True)
httpd.serve_forever()
