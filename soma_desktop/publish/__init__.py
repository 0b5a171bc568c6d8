"""Publishing a model: durable commit->reveal journal, the wizard state machine, weights hosting and downloads.

Qt-free and torch-free. Modules:
- journal       one SQLite row per publish/update job; secrets AES-GCM encrypted under the wallet's wrapping key
- workflow      pure: `decide(job, ChainView) -> Decision` (step, action, deadlines), `reconcile(...)`,
                `reveal_allowed`, `reveal_due`, `deadline`
- runner        `PublishRunner`: executes one step at a time against a Network and the hosting layer
- keys          seed-derived per-commit keys (recoverable from mnemonic + plaintext file)
- embedding     exact f32 embedding bytes with dimension/finite checks
- blob_server   built-in 127.0.0.1 HTTP server with Range support (sandbox/localnet hosting)
- presigned_put upload by HTTP PUT to a pre-signed URL, with progress, retries and cancel
- verify        URL check before commit: Range, size, Blake2b-256, decrypt round-trip
- downloader    the safe downloader and `fetch_model_weights` (decrypted weights cache, LRU)
"""
