"""Work in flight between processes: inbound events and outbound replies, sharded by conversation.

Both implementations keep one promise: a message of one conversation is handled only after the
previous one of that conversation was acknowledged, and `publish` returns only once the message
is safely held (broker-confirmed for RabbitMQ).
"""
