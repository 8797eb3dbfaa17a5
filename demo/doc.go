// Package demo seeds a Gatehouse database for `gatehouse dev`: two demo
// users (an editor and a viewer, told apart by their Gatehouse groups,
// which access tokens carry as the groups claim of RFC 9068 §2.2.3.1) and
// the sample single-page app's OAuth client, allowed the demo API's
// scopes.
//
// The demo itself lives in the subpackages: api is a small "assets"
// resource server built on the public resource kit, spa the browser app
// that signs in with the Gatehouse SDK and calls it.
package demo
