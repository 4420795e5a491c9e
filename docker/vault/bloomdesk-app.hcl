# Policy "bloomdesk-app": what the Bloomdesk server may do, and nothing more.
# Vault denies every path not granted here: the app cannot read, export, back up,
# delete, rotate or reconfigure any transit key, and cannot touch other secrets.

# PII: encrypt before insert, decrypt after read, rewrap to the newest key
# version (batch_input goes to the same paths). The key is derived: the tenant
# id is the context, so one tenant's ciphertext is useless in another's context.
path "transit/encrypt/bloomdesk-pii" {
  capabilities = ["update"]
}

path "transit/decrypt/bloomdesk-pii" {
  capabilities = ["update"]
}

path "transit/rewrap/bloomdesk-pii" {
  capabilities = ["update"]
}

# Read the key's metadata (latest_version, min_decryption_version) so the
# rewrap job knows which rows are behind. Reading a key never returns its material.
path "transit/keys/bloomdesk-pii" {
  capabilities = ["read"]
}

# Blind index for searchable fields (phone, e-mail): HMAC only, with a key
# that is never rotated (a new version would change every index value).
# The second path is hmac/:name/:algorithm.
path "transit/hmac/bloomdesk-blind-index" {
  capabilities = ["update"]
}

path "transit/hmac/bloomdesk-blind-index/*" {
  capabilities = ["update"]
}

# Tenant integration credentials (payment terminal, SMS gateway, online shop),
# KV v2 mounted at secret/.
path "secret/data/bloomdesk/tenants/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "secret/metadata/bloomdesk/tenants/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# The app's own token: look it up and renew it before it expires.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}

path "auth/token/renew-self" {
  capabilities = ["update"]
}
