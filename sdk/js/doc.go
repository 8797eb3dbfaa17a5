// Package jssdk serves the Gatehouse browser SDK: gatehouse.js, one
// dependency-free ES module for single-page apps (authorization code flow
// with PKCE, RFC 6749 §4.1 and RFC 7636; OpenID Connect Core §3.1), and its
// TypeScript declarations, gatehouse.d.ts. The files are embedded in the
// binary and served at /sdk/, so an app loads the SDK from its issuer:
//
//	<script type="module">import { createClient } from "https://ISSUER/sdk/gatehouse.js"</script>
//
// The JavaScript, its tests (node --test) and its README live beside this
// file.
package jssdk
