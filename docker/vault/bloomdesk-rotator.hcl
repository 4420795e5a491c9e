# Policy "bloomdesk-rotator": for the operator who rotates the PII key.
# Not attached to the app. Issue a short-lived token with it when a rotation is due:
#   bao token create -policy=bloomdesk-rotator -ttl=15m
# The blind-index key is deliberately absent: rotating it would change every index value.

# Add a new key version; new ciphertext is written with it from then on.
path "transit/keys/bloomdesk-pii/rotate" {
  capabilities = ["update"]
}

# Raise min_decryption_version once the app's rewrap job has moved every row
# to the newest version (so old versions can no longer decrypt anything).
# Only the version settings: not exportable, deletion_allowed or the like.
path "transit/keys/bloomdesk-pii/config" {
  capabilities = ["update"]
  allowed_parameters = {
    "min_decryption_version" = []
    "min_encryption_version" = []
  }
}

# See latest_version and min_decryption_version.
path "transit/keys/bloomdesk-pii" {
  capabilities = ["read"]
}
