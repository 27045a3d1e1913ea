// Package wire holds the JSON the signing and wallet-link endpoints speak: what the pages (and
// the playground console, which signs through the same endpoints) read and send.
package wire

// Arg is one decoded argument of a call.
type Arg struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Value   string `json:"value"`             // raw: addresses in hex, integers in base units
	Display string `json:"display,omitempty"` // in the signer's terms: "@bob", "25 tUSD"
}

// Decoded is a call in words; a plain transfer of the native coin has an empty method and no
// arguments.
type Decoded struct {
	Method    string `json:"method"`
	Signature string `json:"signature"`
	Args      []Arg  `json:"args"`
}

// Call is one transaction of a signing request.
type Call struct {
	To      string   `json:"to"`
	ToLabel string   `json:"toLabel,omitempty"` // what To is to the signer: "your ALICE-tUSD reserve"
	Data    string   `json:"data"`              // 0x hex calldata
	Value   string   `json:"value"`             // wei, decimal
	Decoded *Decoded `json:"decoded"`           // null for calldata of an unknown function
}

// Tx is the transaction reported for a call.
type Tx struct {
	Index       int     `json:"index"`
	Hash        string  `json:"hash"`
	Status      string  `json:"status"`
	BlockNumber *uint64 `json:"blockNumber"`
}

// SigningRequest is GET /s/{id}.json, and the answer to POST /s/{id}/tx.
type SigningRequest struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Summary     string `json:"summary"`
	ChainID     uint64 `json:"chainId"`
	ChainName   string `json:"chainName"`
	Signer      string `json:"signer"`
	Calls       []Call `json:"calls"`
	EIP681      string `json:"eip681"` // a single call as an EIP-681 URI for phone wallets; "" when there is none
	Txs         []Tx   `json:"txs"`
	Status      string `json:"status"`
	Error       string `json:"error"`
	ExpiresAt   string `json:"expiresAt"`
	Now         string `json:"now"` // the server's clock, to count down to expiresAt
	RPCURL      string `json:"rpcUrl"`
	ExplorerURL string `json:"explorerUrl"`
}

// TxReport is POST /s/{id}/tx: the hash a wallet sent for call Index.
type TxReport struct {
	Index *int    `json:"index"`
	Hash  *string `json:"hash"`
}

// SignIn is GET /l/{nonce}.json: the fields of the EIP-4361 message to sign, less the address.
type SignIn struct {
	Domain         string `json:"domain"`
	URI            string `json:"uri"`
	ChainID        uint64 `json:"chainId"`
	Nonce          string `json:"nonce"`
	IssuedAt       string `json:"issuedAt"`
	ExpirationTime string `json:"expirationTime"`
	Statement      string `json:"statement"`
	Version        string `json:"version"`
	User           string `json:"user"`
}

// MessageFor is POST /l/{nonce}/message: the address the wallet signs with.
type MessageFor struct {
	Address *string `json:"address"`
}

// Message is the answer to MessageFor: the exact text to sign.
type Message struct {
	Message string `json:"message"`
}

// SignedIn is POST /l/{nonce}: the signed message.
type SignedIn struct {
	Message   *string `json:"message"`
	Signature *string `json:"signature"`
}

// Linked is the answer to SignedIn.
type Linked struct {
	Address string `json:"address"`
	User    string `json:"user"`
}

// Error is every refusal's body.
type Error struct {
	Error string `json:"error"`
}
