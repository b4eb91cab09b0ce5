"""PAdES signing with pyHanko: signer plugins (PKCS#12 soft token, PKCS#11 hardware
token, remote-signing plug point), the Vietnamese visible stamp, the timestamp
authority and the low-level sign/validate functions used by documents.services."""
