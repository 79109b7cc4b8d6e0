/**
 * RSA-2048 private keys for TESTS ONLY: made with `generateKeyPairSync("rsa", { modulusLength: 2048 })`
 * for this repository, published here, and trusted by nothing real (no user pool, account or service
 * has ever seen them). They are committed so that no test pays for key generation (0.1–0.7 s per key,
 * once per fixture before; about a third of the Lambda tests' CPU time).
 *
 * Two keys, because tests need a key that is not the pool's: a forged signature, another pool.
 */

/** The key every test user pool signs with unless told otherwise. */
export const TEST_ONLY_POOL_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDXOsa6PoA0yD71
DtZ3AHjRCi+/iuD3SvEY+PY3nI/xIotbxzpqONDSlrd9c6zgyVndZaSKrAFXUPew
xXqovus+flqfjF9opwtWkhRWnTLIZsRvk5DC34xLyAyY2ogEzTC3tz4hWI8oWLY7
FgZ+qOmSn8xdn9g4H80J5rBsJyDuNvzspoZCjpCy4BH0SjR2l7aVt9dSGHjCH3VN
N39T/ZHjaJ2vaIB4egHvnWs5sEDQwIZ4sCGG5ifV6BEnr6su4fW/zCPtFyvAefWb
a41k1DO1+RdshXbz4t1uztUBdJ2Ps8zVAYf+1RfCUnABuhO+4hduB7QPC+eUX7EB
TAMMHHVrAgMBAAECggEAROxalWvMbJqvppRQ050AE5kaf1E/B5IlMSUQ2/A0HDk+
vW5IY5m8LaP8MJ1pgDaao46YKZw5dbfFCgPDauRwuvuFk9BFAWN0+w0enDoM+CYI
w95SnkUuTVpLxms84aS/9CUnLVCJz5bRDIzaGZeH7N9ld5nniNmONJx+ZLQHFKFK
4isQqeMyxMQ01ML6zd8qN36ikPjAVzhxZsG7JyZkK72XmdCvb1XxKoissXF1FYBV
GatS+NShhbGmCfRfeGv4/xG1JpH80xolHW4D8mm21A0et5qs65KX2oAY/EE7QIcP
vGmD78fJEELUpdkHG7/+kGz/XA7tUOE1IuYCzmmTWQKBgQDy6/+lm/+KYBnVtA/2
AvlLfKgLgQoM5JyP6EX1HTy+V/9HlRNDCdgtn9b/W6vXiSi/J6QdwdeKhRRpXWIE
vkUDjlj7TSL63lmW4pRHbPxJ31VUkC4YQsw5S+z11UB0G7yDZNHJcwmh6Ptt2Vhy
YObHh2uOAjPS9pSVyjO6ffaXlwKBgQDi0R3lT5OEjIhGN5G4pz3Clhfh+Rk8uGIW
hokHPr+dZVtEkb+H0MK7xoyZlYKkZ2y2UyCrnNtzoZA9fUFsLCPgI7sNGklEcqYn
w04jdGbPdPugWxkwrYIWoDSXxfgtlDB3zzGheX0pwdLIbauNCSSlu7PgXLaXpmL4
t8hBeamrTQKBgQDofr7avgdBZODVC9UK26XFfbVH7WS1GkhN4zyxcB4m/wmwdRlO
XCmu4QBgvlglnXyGF2aXpGKqjNwQS/P4HjLnSGIZgqYr/Is6QfkwszpzaXC90pCL
X8MeQ3CziDp75d/y0ZeHeraJY/bgF9jy/5Ng/FcQP0NiceWbxz7jCpPsWQKBgQCF
EWx5qQsB27TjhRx/+dY4//e5Anx07DPXxUxFLOIcBGfcPanhk2973MuGG3oO3AKi
oPhs1lTFbQcDnCWywd62VCAcWsybVKv4bhO8p0Dd+2LYvDl2HoVQouLYHDQzAVrC
H5OdiXoN8oGoRvc7gh63AP1R5vLU26/6/U+GYktRjQKBgCWuVVfrt6fzoilnRoN+
0AQMO3srZrYDX/+7mAo49xE/uS+iLe8mwgZaRk2jxpXAa58NFA+NEPm/brIhpyvv
7iKu1DXNKdxxP6t/lmQoWuEMtbny4JR+m5e5I6P2KhwZ0ip4zDxjTSlkvQX1mnUe
MM8pOaiLEYMBFZAF9OujBW0i
-----END PRIVATE KEY-----`;

/** A second key: another pool's, or a forger's who knows the pool's `kid` but not its key. */
export const TEST_ONLY_STRANGER_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCWgvi5IaGv1rJ4
bih553aRSdFVfY7a6h/hsSMXu+GxVlxOpZ4XX/sN3AGjnWAAS1weXe4yyY0jvigR
zminkU95xZQ0GQdCV7h/lzqdymzAdy3HgymeY8kug3MGJslz8BTM94H0+S0VveZc
7L1EpC4gkqPGZ5mMY4ywE0WcAG8bFzDYzJ/D5Wu1JY3fRleMHRZriyJqOTQbhhei
RZDg2MCJ5sDYDrRblPPZ0Vq+he+8IegQf/elTAwJlAxTmMSyBotJmypIh/PiM53f
8yP3bJ8uXmHYVXfrcHaiPQUyrmgX1yDsRcJgUILfgKTac5a3EYSrNL9XAeuoIZsh
vBkrzFefAgMBAAECggEAQWRW3sxLXMO5V5R4tnoHbBk3v15lRhxpTJuy5Plmla8x
PKQ9GufDAiL/fU//KTGUrMbfmiYyUYCpFQ9qLb922a+rc7UaD8tf5+NS/sI3XKmK
9L86QkwVWMWYoGgSp3H7/49bYY0u9t7CKsZaduuj9NfxGt7g+fs4YTmGSUBxBUH0
A5CExxaEexahhMBZeYKhIxbsXqho0YEbl/Y1n0TC08xMplGRLNKQXkxLXIwvcSv7
jeQwfxw5PedVtTLze0WQFvjIferwVVDGwmNPv1IkJobOj5v4CnOOtNPNg9/ele8k
Y6qzItlXpQFUtzi59GEH1vN40Mr6uUhs0Tcr4n5/9QKBgQDJFnObxiw1cZJnTUT7
Jm+4Q+diwbVGOEwwQQRuKgDqClSrc2m2T5yEmNdZmTqyUQin03s6WZayeIj1eyEg
uGDGNGPU4/XWt8VF88+eHf4r0CMjyBrS2GVeyNCJS4+YZJCTfzxiEIz7eADIKBMQ
9d0Le3+0B/y2i9f8+lX5Y+3IbQKBgQC/nN6EY1N3fvHU/R01PARwIm70eDbUJvRl
G1pEx9dfvhrpKEKekd0w0X5VmQu1/bCoouedXLZpgGxQnskL1u8AVQCsmhpKg1zZ
5GWj3S5+p5C9ZF+1RsxPEmqdhbp3Fq0O7m1Z8zwopHiM8qFjvvmyzd3Ine4Z1aHE
cKWvDpCwuwKBgBp0d7UwtzQ4wtgQVFjuT5hgZpqZfW3FjlBy3VBY+lHQFh+QSYIQ
qzjOmtZQ0GYRPyBFNFsS2j6UmQAiuNMDLsgksFWbwAYFm1B+qPvWWlANS/IzK0Q9
7+guZzEI3dVgtZySCrGkF8glm4S5sPh0QCZ4ku5udpLVhw7jKFhtCyVpAoGAPKZi
qHToDoLX+RrFC/ybSwMbK7aBZFWQNhCaWfsHaP67deGQdLCm2rT00BNJaamLKVWn
CmA2PN6xajNYX68Ap5JATGHawIsj8LQil+OCvAQ+BDSpNq/aK40gwgt6IgfDb154
rmgXOqYUokiKXRAt6TLQaJfUrci5E3y0dNyfX9ECgYBJXwPHLz8sXh2mNCu5xCKr
WL9TyUw8CFSE/eYQXRwcv8cXqfemIbPOzlcVG5jBqCSGyb8qC0zna/qg3cR1oyco
A/0KQARh+ArdkteF8cuH25Isbd57sJKqx1OYg9OtNeSyEH67uu9T1muarh2xdN+6
IPy6SMb3mBhk/7X3aRMqag==
-----END PRIVATE KEY-----`;
