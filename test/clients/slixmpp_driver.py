"""A real slixmpp client driven by a test over stdin/stdout, one JSON object per line.

Same protocol as xmppjs-driver.mjs: commands {id, op, ...}, replies {id, ok, ...},
events {event, ...}. slixmpp negotiates legacy SASL and RFC 6120 resource binding, which is
what most deployed XMPP clients still do.
"""
import asyncio
import json
import logging
import os
import ssl
import sys

import slixmpp
from slixmpp.xmlstream import ET
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Driver:
    def __init__(self):
        self.xmpp = None

    async def start(self, cmd):
        jid = cmd["username"] + "@" + cmd["domain"] + ("/" + cmd["resource"] if cmd.get("resource") else "")
        xmpp = slixmpp.ClientXMPP(jid, cmd["password"])
        self.xmpp = xmpp
        xmpp.ssl_context.check_hostname = False
        xmpp.ssl_context.verify_mode = ssl.CERT_NONE
        xmpp.register_plugin("xep_0030")
        xmpp.register_plugin("xep_0199")
        xmpp.register_plugin("xep_0280")
        if cmd.get("smEnabled", True):
            # window=1: request an ack after every stanza, as mobile clients do.
            xmpp.register_plugin("xep_0198", pconfig={"window": 1})
            xmpp.add_event_handler("stanza_acked", lambda s: out({"event": "ack", "xml": str(s)}))
        done = asyncio.get_event_loop().create_future()

        async def on_start(_):
            # What a legacy client does after binding: carbons (XEP-0280), then initial presence.
            try:
                if cmd.get("carbons"):
                    await xmpp.plugin["xep_0280"].enable()
                if cmd.get("presence"):
                    xmpp.send_presence()
            except Exception as err:  # reported as a failed start
                if not done.done():
                    done.set_exception(err)
            if not done.done():
                done.set_result(True)

        def on_fail(reason):
            if not done.done():
                done.set_exception(RuntimeError("auth failed: %s" % (reason,)))

        xmpp.add_event_handler("session_start", on_start)
        xmpp.add_event_handler("failed_auth", on_fail)
        xmpp.add_event_handler("connection_failed", on_fail)
        if cmd.get("rawMessages"):
            # Every message as it arrives (carbons, chat states, forgeries a library would drop).
            xmpp.register_handler(Callback("raw messages", MatchXPath("{jabber:client}message"), lambda m: out({"event": "element", "xml": str(m)})))
        else:
            xmpp.add_event_handler("message", lambda m: out({"event": "element", "xml": str(m)}))
        xmpp.add_event_handler("presence", lambda p: out({"event": "element", "xml": str(p)}))
        host, port = cmd["host"], int(cmd["port"])
        xmpp.connect((host, port), force_starttls=True, disable_starttls=False)
        await asyncio.wait_for(done, 15)
        sm = xmpp.plugin["xep_0198"] if cmd.get("smEnabled", True) else None
        return {"jid": str(xmpp.boundjid), "sm": {"enabled": bool(sm and sm.enabled_out)}}

    async def send(self, cmd):
        # Built as a stanza object (not sent raw) so that Stream Management counts it.
        self.xmpp._build_stanza(ET.fromstring(cmd["xml"])).send()
        return {}

    async def iq(self, cmd):
        stanza = self.xmpp.Iq(xml=ET.fromstring(cmd["xml"]))
        reply = await stanza.send(timeout=cmd.get("timeout", 5000) / 1000)
        return {"xml": str(reply)}

    async def carbons(self, cmd):
        plugin = self.xmpp.plugin["xep_0280"]
        await (plugin.enable() if cmd["enable"] else plugin.disable())
        return {}

    async def abort(self, _cmd):
        # The connection breaks: no closing tag, nothing more acknowledged.
        self.xmpp.abort()
        return {}

    async def stop(self):
        self.xmpp.disconnect()
        await self.xmpp.disconnected
        return {}



async def main():
    if os.environ.get("SLIXMPP_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    driver = Driver()
    loop = asyncio.get_event_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def run(cmd):
        try:
            op = getattr(driver, cmd["op"])
            result = await (op() if cmd["op"] == "stop" else op(cmd))
            out(dict(id=cmd["id"], ok=True, **result))
        except Exception as err:  # report every failure to the test
            out({"id": cmd["id"], "ok": False, "message": "%s: %s" % (type(err).__name__, err)})

    while True:
        line = await reader.readline()
        if not line:
            break
        asyncio.ensure_future(run(json.loads(line)))


asyncio.get_event_loop().run_until_complete(main())
