package x509lite

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var errBadPassphrase = errors.New("x509lite: bad decrypt: wrong passphrase or corrupt key")

// decryptLegacyPEM handles OpenSSL's "Proc-Type: 4,ENCRYPTED" PEM: the key
// and IV come from EVP_BytesToKey with MD5 over passphrase and salt.
func decryptLegacyPEM(b *pem.Block, pass []byte) ([]byte, error) {
	alg, ivHex, ok := strings.Cut(b.Headers["DEK-Info"], ",")
	if !ok {
		return nil, errors.New("x509lite: encrypted PEM without DEK-Info")
	}
	iv, err := hex.DecodeString(ivHex)
	if err != nil || len(iv) < 8 {
		return nil, errors.New("x509lite: bad DEK-Info IV")
	}
	var keyLen int
	var newBlock func([]byte) (cipher.Block, error)
	switch alg {
	case "AES-128-CBC":
		keyLen, newBlock = 16, aes.NewCipher
	case "AES-192-CBC":
		keyLen, newBlock = 24, aes.NewCipher
	case "AES-256-CBC":
		keyLen, newBlock = 32, aes.NewCipher
	case "DES-EDE3-CBC":
		keyLen, newBlock = 24, des.NewTripleDESCipher
	case "DES-CBC":
		keyLen, newBlock = 8, des.NewCipher
	default:
		return nil, errors.New("x509lite: unsupported PEM cipher " + alg)
	}
	// EVP_BytesToKey: D_i = MD5(D_{i-1} || pass || salt), salt = IV[:8].
	var key, d []byte
	for len(key) < keyLen {
		h := md5.New()
		h.Write(d)
		h.Write(pass)
		h.Write(iv[:8])
		d = h.Sum(nil)
		key = append(key, d...)
	}
	blk, err := newBlock(key[:keyLen])
	if err != nil {
		return nil, err
	}
	return cbcDecryptUnpad(blk, iv, b.Bytes)
}

func cbcDecryptUnpad(blk cipher.Block, iv, data []byte) ([]byte, error) {
	bs := blk.BlockSize()
	if len(iv) != bs || len(data) == 0 || len(data)%bs != 0 {
		return nil, errBadPassphrase
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(blk, iv).CryptBlocks(out, data)
	p := int(out[len(out)-1])
	if p == 0 || p > bs {
		return nil, errBadPassphrase
	}
	for _, c := range out[len(out)-p:] {
		if int(c) != p {
			return nil, errBadPassphrase
		}
	}
	return out[:len(out)-p], nil
}

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// decryptPKCS8 handles EncryptedPrivateKeyInfo with PBES2 (RFC 8018):
// PBKDF2 with HMAC-SHA1 or HMAC-SHA256, and AES-CBC or 3DES-CBC.
func decryptPKCS8(der []byte, pass []byte) ([]byte, error) {
	bad := errors.New("x509lite: unsupported or malformed encrypted PKCS#8 key")
	s := cryptobyte.String(der)
	var seq, alg, params, kdf, kdfParams, enc cryptobyte.String
	var oid asn1.ObjectIdentifier
	var data []byte
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) ||
		!oid.Equal(oidPBES2) || !alg.ReadASN1(&params, cbasn1.SEQUENCE) || !seq.ReadASN1Bytes(&data, cbasn1.OCTET_STRING) {
		return nil, bad
	}
	if !params.ReadASN1(&kdf, cbasn1.SEQUENCE) || !kdf.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidPBKDF2) ||
		!kdf.ReadASN1(&kdfParams, cbasn1.SEQUENCE) || !params.ReadASN1(&enc, cbasn1.SEQUENCE) {
		return nil, bad
	}
	var salt []byte
	var iter int64
	if !kdfParams.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) || !kdfParams.ReadASN1Integer(&iter) || iter < 1 || iter > 10_000_000 {
		return nil, bad
	}
	var keyLen int64
	if kdfParams.PeekASN1Tag(cbasn1.INTEGER) && !kdfParams.ReadASN1Integer(&keyLen) {
		return nil, bad
	}
	h := sha1.New
	if !kdfParams.Empty() {
		var prfAlg cryptobyte.String
		var prfOID asn1.ObjectIdentifier
		if !kdfParams.ReadASN1(&prfAlg, cbasn1.SEQUENCE) || !prfAlg.ReadASN1ObjectIdentifier(&prfOID) {
			return nil, bad
		}
		switch {
		case prfOID.Equal(oidHMACSHA256):
			h = sha256.New
		case prfOID.Equal(oidHMACSHA1):
		default:
			return nil, bad
		}
	}
	var encOID asn1.ObjectIdentifier
	var iv []byte
	if !enc.ReadASN1ObjectIdentifier(&encOID) || !enc.ReadASN1Bytes(&iv, cbasn1.OCTET_STRING) {
		return nil, bad
	}
	var n int
	newBlock := aes.NewCipher
	switch {
	case encOID.Equal(oidAES128CBC):
		n = 16
	case encOID.Equal(oidAES192CBC):
		n = 24
	case encOID.Equal(oidAES256CBC):
		n = 32
	case encOID.Equal(oidDESEDE3CBC):
		n, newBlock = 24, des.NewTripleDESCipher
	default:
		return nil, bad
	}
	key, err := pbkdf2.Key(h, string(pass), salt, int(iter), n)
	if err != nil {
		return nil, err
	}
	blk, err := newBlock(key)
	if err != nil {
		return nil, err
	}
	return cbcDecryptUnpad(blk, iv, data)
}
