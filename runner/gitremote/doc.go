// Package gitremote is git's remote helper for http:// and https://
// (git-remote-http, git-remote-https) in Go, for the runner's container
// image: Debian's helper needs 18 MB of shared libraries (curl, GnuTLS,
// OpenSSL, Kerberos, LDAP) and this one none.
//
// It fetches only, over git's protocol version 2, which git uses by
// default and every current host speaks: git asks for a
// "stateless-connect" to git-upload-pack, the helper reads the server's
// capabilities (GET …/info/refs?service=git-upload-pack) and then posts
// each request git writes (pkt-lines up to a flush) to
// …/git-upload-pack, copying the answer back followed by a response-end
// packet. Pushing, and servers that speak only the older protocol, are
// refused with a message. Credentials come from the URL, the user's
// .netrc and http.extraHeader, as with git's own helper.
package gitremote
