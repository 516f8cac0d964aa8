"""The web simulator: a WhatsApp-like page served by `wakala run` at the simulator's `/`.

It writes as a shopper (or as a shop's staff) through the real pipeline — signed webhooks to
the gateway — and draws what the bot sent to the Graph API fake: buttons, lists, products,
templates, media, reactions, with WhatsApp's ticks on the shopper's own messages.
Plain HTML, CSS and JavaScript under `static/`: no build step, nothing fetched from elsewhere.
"""
