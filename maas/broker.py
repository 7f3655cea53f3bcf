"""The Redis broker transport, hardened so a worker survives a Redis restart.

kombu's Redis transport, when the broker goes away while the worker holds unacknowledged tasks
(every booking queues a hold-expiry countdown, so it always does), drops the transport's client on
connection cleanup and then tries to restore those tasks through it: an AttributeError that Celery
treats as unrecoverable, and the worker exits. Here that restore attempt fails as a connection error
instead, which Celery's reconnect loop already handles; the tasks stay in Redis's unacked set and
are restored after the visibility timeout, like after any lost connection.
"""
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

TRANSPORT = "maas.broker:Transport"


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection is already closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
