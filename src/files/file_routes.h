// The file server's HTTP routes under /v1/files (the list is in file_api.h), on any
// httplib::Server: the master's, or the standalone one of file_server.h.
//
// Bodies stream through the store in chunks: neither uploads nor downloads are held in memory.
// Errors are {"error": {"code", "message"}} with 400 (bad path or hash, content not matching
// ?sha256=), 404, 409 (a path that is a folder, a snapshot naming missing content), 413 (over
// the size limit) and 416 (a Range past the end).
#pragma once

#include "files/file_store.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace yard {

// Mounts the routes; `store` must outlive `server`. httplib applies the server's
// payload_max_length to streamed bodies too: set it to at least store.max_file_bytes(), or
// uploads past it get 413 from httplib (FileServer does this).
void RegisterFileRoutes(httplib::Server& server, FileStore& store);

// For httplib::Server::set_expect_100_continue_handler: a client that sends "Expect:
// 100-continue" (curl does for large bodies) with a file upload over the limit gets 413 before
// it sends the body; anything else gets 100 (go on). Without it, an over-limit body is read
// and thrown away before the 413, since httplib 0.11 cannot close a connection early.
int FilesExpectContinue(const FileStore& store, const httplib::Request& req,
                        httplib::Response& res);

}  // namespace yard
