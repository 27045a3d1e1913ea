package web

import (
	"fmt"

	"rsc.io/qr"
)

// qrScale is the number of pixels per QR module in the PNG.
const qrScale = 6

// qrPNG renders text as a QR code PNG (error correction level M, with the
// four-module quiet zone around it).
func qrPNG(text string) ([]byte, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("qr encode: %w", err)
	}
	code.Scale = qrScale
	return code.PNG(), nil
}
