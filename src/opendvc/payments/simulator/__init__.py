"""A local payment gateway speaking VNPAY 2.1.0 from the gateway's side, for `make run` and tests.

It is what a real gateway would be to the portal, at /dev/cong-thanh-toan/: it checks the signed payment
request, shows a payment page (bank choice; pay, cancel, insufficient funds, time out), sends the signed
IPN to the merchant with retries (and, on demand, late, twice, or never), redirects the payer back with
the signed return, and answers querydr. It keeps its own records (merchants, transactions, notifications),
never the portal's. Installed only when settings.PAYMENT_SIMULATOR_ENABLED (never in production, unless
a public demo allows reference adapters).
"""
