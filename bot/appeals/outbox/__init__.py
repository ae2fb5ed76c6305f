"""Durable outbox for enterprise appeals the service could not take right away.

The chat's action calls :meth:`~bot.appeals.outbox.delivery.Outbox.submit`. It posts the
appeal once; when the service is down, too slow or answers 5xx, the appeal is written to a
SQLite file on the action server's host (:mod:`.queue`) and the user gets a provisional
reference (``TMP-XXXXXXXX``, :mod:`.references`) that the status check accepts. A
:class:`~bot.appeals.outbox.delivery.DeliveryLoop` thread retries due rows with exponential
backoff (:mod:`.delivery`); once an appeal is delivered, ``Outbox.lookup`` maps the
provisional reference to the real tracking number.

Exactly once: every row keeps the appeal's ``Idempotency-Key`` and every attempt sends it.
The service answers a repeated key and body with the response it stored the first time, so
a request that timed out after the service stored it, or a crash between the POST and the
mark-delivered, only costs one more request that returns the same tracking number. Rows are
*claimed* before they are sent (a conditional UPDATE that only one deliverer can win), so two
threads or processes sharing the file do not send the same row at the same time.

Log lines name the reference, the key and the error only, never the body (it holds the
contact's name and phone number).
"""
