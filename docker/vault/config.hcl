# OpenBao server configuration for docker/docker-compose.yml (the "vault" service).
# Not dev mode: data persists in the vault-data volume, the server starts sealed
# and two of the three key holders unseal it after every start (docker/README.md).

ui = false

# Integrated storage (raft), single node. OpenBao 2.x has no "file" backend.
# /openbao/file is the directory the image creates, owned by its openbao user
# and declared as a volume; the compose file mounts vault-data there.
storage "raft" {
  path    = "/openbao/file"
  node_id = "bloomdesk-vault-1"
}

# The API, for the app and for vault-init, on the compose network only (the
# compose file publishes no port for it).
# TLS is off because the traffic never leaves the Docker host's private
# network. In production either put a TLS-terminating proxy in front, or set
# tls_cert_file / tls_key_file here and VAULT_ADDR=https://... in the app.
listener "tcp" {
  address     = "0.0.0.0:8200"
  tls_disable = true
}

# Break-glass listener, reachable only from inside this container
# (docker compose exec vault ...), for generating a new root token from two
# unseal key shares: OpenBao refuses the unauthenticated generate-root
# endpoints on every listener unless told otherwise, and the CLI's own
# generate-root needs a token. docker/vault/operator.sh uses it.
listener "tcp" {
  address                                  = "127.0.0.1:8300"
  tls_disable                              = true
  disable_unauthed_generate_root_endpoints = false
}

api_addr     = "http://vault:8200"
cluster_addr = "http://vault:8201"

# No disable_mlock line: OpenBao dropped mlock support and refuses to start
# with disable_mlock = false (it ignores true). Keep the server out of swap by
# other means: the compose file gives it no swap (memswap_limit = mem_limit);
# on a bare host, disable or encrypt swap.
