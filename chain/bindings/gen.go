// Package bindings holds the abigen v2 bindings of the trustbot contracts, generated from the
// ABI and bytecode committed under contracts/artifacts (the same bytecode forge tests).
package bindings

//go:generate go tool abigen --v2 --abi ../../contracts/artifacts/TrustReserve.abi --bin ../../contracts/artifacts/TrustReserve.bin --pkg bindings --type TrustReserve --out trustreserve.go
//go:generate go tool abigen --v2 --abi ../../contracts/artifacts/TrustReserveFactory.abi --bin ../../contracts/artifacts/TrustReserveFactory.bin --pkg bindings --type TrustReserveFactory --out trustreservefactory.go
//go:generate go tool abigen --v2 --abi ../../contracts/artifacts/TestUSD.abi --bin ../../contracts/artifacts/TestUSD.bin --pkg bindings --type TestUSD --out testusd.go
