"""SOAP 1.1 around OpenTravel messages: open the envelope a channel sends (and read its WS-Security
UsernameToken), and put our answer in one when the request came in one.

The document was parsed by ota_xml.parse_document (no DTD, no entity, namespaces dropped from names).
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from hotelbooking.errors import MalformedMessage

from ..ota_xml import clean_text

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
PASSWORD_TEXT = "PasswordText"


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password: str
    password_type: str = PASSWORD_TEXT


@dataclass(frozen=True)
class Opened:
    payload: ET.Element
    soap: bool = False
    token: UsernameToken | None = None


def _children(node: ET.Element) -> list[ET.Element]:
    return [c for c in node if isinstance(c.tag, str)]


def envelope_open(root: ET.Element) -> Opened:
    """The OpenTravel message inside a SOAP envelope (its Body's one element), or the bare message itself."""
    if root.tag != "Envelope":
        return Opened(payload=root)
    body = root.find("Body")
    if body is None:
        raise MalformedMessage("The SOAP envelope has no Body.")
    content = _children(body)
    if len(content) != 1:
        raise MalformedMessage("The SOAP Body must hold exactly one OpenTravel message.")
    return Opened(payload=content[0], soap=True, token=_username_token(root.find("Header")))


def _username_token(header: ET.Element | None) -> UsernameToken | None:
    token = None if header is None else header.find("Security/UsernameToken")
    if token is None:
        return None
    password = token.find("Password")
    kind = (password.get("Type") or PASSWORD_TEXT) if password is not None else PASSWORD_TEXT
    return UsernameToken(username=clean_text((token.findtext("Username") or "").strip(), 100),
                         password=clean_text((password.text or "") if password is not None else "", 200),
                         password_type=kind.rsplit("#", 1)[-1])


def envelope_wrap(message: ET.Element) -> bytes:
    """Our OpenTravel answer as the Body of a SOAP 1.1 envelope."""
    ET.register_namespace("soap-env", SOAP11_NS)
    envelope = ET.Element(f"{{{SOAP11_NS}}}Envelope")
    ET.SubElement(envelope, f"{{{SOAP11_NS}}}Header")
    ET.SubElement(envelope, f"{{{SOAP11_NS}}}Body").append(message)
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)
