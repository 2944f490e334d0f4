// The real exporter's endpoints under TLS, basic auth and hostile requests.
// No database needed: the target points at a closed port.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "exporter_process.h"
#include "eventually.h"
#include "pg_server.h"
#include "certificates.h"

using namespace pgtest;

namespace {

const std::string kDeadTarget = "[[targets]]\nname = \"main\"\ndsn = \"postgresql://monitor@127.0.0.1:1/postgres\"\n";
const char* kEndpoints[] = {"/", "/metrics", "/probe?target=main", "/health", "/health/db", "/runbook"};

std::string tls_section(const TempDir& certs, const std::string& extra = "") {
  return "[web.tls]\ncert_file = \"" + certs.file("server.crt") + "\"\nkey_file = \"" + certs.file("server.key") +
         "\"\n" + extra;
}

// Exit status and output of an `openssl s_client` handshake with the exporter.
std::pair<int, std::string> handshake(const ExporterProcess& exporter, const std::string& flags) {
  CommandResult r = run_status("echo | timeout 10 openssl s_client -connect 127.0.0.1:" +
                                std::to_string(exporter.port()) + " " + flags);
  return {r.status, r.output};
}

std::string served_subject(const ExporterProcess& exporter) {
  return run_command("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(exporter.port()) +
                     " 2>/dev/null | openssl x509 -noout -subject || true");
}

int open_idle_connection(int port) {
  int fd = connect_loopback(port);
  if (fd < 0) ADD_FAILURE() << "connect failed";
  return fd;
}

// Sends raw bytes (the client library refuses some of these) and returns the
// response's status line.
std::string raw_status_line(int port, const std::string& request) {
  int fd = open_idle_connection(port);
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[512];
  ssize_t n;
  while (response.find("\r\n") == std::string::npos && (n = recv(fd, buffer, sizeof buffer, 0)) > 0) {
    response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return response.substr(0, response.find("\r\n"));
}

}  // namespace

TEST(WebSecurity, TlsServesOnlyHttpsWithModernProtocolsAndCiphers) {
  TempDir certs;
  make_certificate(certs, "server");
  ExporterProcess exporter(tls_section(certs) + kDeadTarget, when_accepting());
  EXPECT_EQ(exporter.call({}).status, 0) << "plain HTTP must not be answered";
  exporter.use_tls(certs.file("server.crt"));
  for (const char* path : kEndpoints) EXPECT_NE(exporter.call({"GET", path}).status, 0) << path;
  EXPECT_EQ(exporter.call({}).status, 200);

  EXPECT_EQ(handshake(exporter, "-tls1_3").first, 0);
  EXPECT_EQ(handshake(exporter, "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256").first, 0);
  auto old = handshake(exporter, "-tls1_1 -cipher DEFAULT@SECLEVEL=0");
  EXPECT_NE(old.first, 0);
  EXPECT_NE(old.second.find("alert protocol version"), std::string::npos) << old.second;
  // TLS 1.2 without forward secrecy or authenticated encryption is refused.
  EXPECT_NE(handshake(exporter, "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256").first, 0);
  EXPECT_NE(exporter.err().find("msg=\"serving HTTPS\""), std::string::npos) << exporter.err();
}

TEST(WebSecurity, TlsMinVersion13RefusesTls12) {
  TempDir certs;
  make_certificate(certs, "server");
  ExporterProcess exporter(tls_section(certs, "min_version = \"TLS13\"\n") + kDeadTarget, when_accepting());
  EXPECT_NE(handshake(exporter, "-tls1_2").first, 0);
  EXPECT_EQ(handshake(exporter, "-tls1_3").first, 0);
}

TEST(WebSecurity, BadCertificateFilesStopTheStart) {
  TempDir certs;
  make_certificate(certs, "server");
  make_certificate(certs, "other");
  certs.write("config.toml", "[web.tls]\ncert_file = \"" + certs.file("server.crt") + "\"\nkey_file = \"" +
                                 certs.file("other.key") + "\"\n" + kDeadTarget);
  CommandResult r = run_status(exporter_binary() + " --config.file=" + certs.file("config.toml") +
                                " --web.listen-address=127.0.0.1:" + std::to_string(free_loopback_port()));
  std::string out = r.output;
  EXPECT_NE(out.find("does not belong to the certificate"), std::string::npos) << out;
  EXPECT_EQ(r.status, 1) << out;
  EXPECT_EQ(out.find("PRIVATE KEY"), std::string::npos) << out;
}

TEST(WebSecurity, SighupReloadsTheCertificateAndKeepsItWhenTheNewOneIsBad) {
  TempDir certs;
  make_certificate(certs, "first");
  make_certificate(certs, "second");
  run_command("cp " + certs.file("first.crt") + " " + certs.file("server.crt") + " && cp " + certs.file("first.key") +
              " " + certs.file("server.key"));
  ExporterProcess exporter(tls_section(certs) + kDeadTarget, when_accepting());
  EXPECT_NE(served_subject(exporter).find("CN = first"), std::string::npos);

  run_command("cp " + certs.file("second.crt") + " " + certs.file("server.crt") + " && cp " +
              certs.file("second.key") + " " + certs.file("server.key"));
  exporter.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return served_subject(exporter).find("CN = second") != std::string::npos; }))
      << exporter.err();
  exporter.use_tls(certs.file("second.crt"));
  EXPECT_EQ(exporter.call({}).status, 200);

  certs.write("server.crt", "not a certificate\n");
  exporter.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return exporter.err().find("TLS certificate reload failed") != std::string::npos; }));
  EXPECT_NE(served_subject(exporter).find("CN = second"), std::string::npos);
  EXPECT_EQ(exporter.call({}).status, 200);
  EXPECT_EQ(exporter.err().find("PRIVATE KEY"), std::string::npos);
}

TEST(WebSecurity, BasicAuthGuardsEveryEndpointAndReloads) {
  TempDir certs;
  make_certificate(certs, "server");
  const std::string password = "Scrape-Pw-7731", hash = bcrypt_hash(password);
  ExporterProcess exporter(tls_section(certs) + "[web.basic_auth.users]\nprometheus = \"" + hash + "\"\n" + kDeadTarget, when_accepting());
  exporter.use_tls(certs.file("server.crt"));
  for (const char* path : kEndpoints) {
    for (const Call& call : {Call{"GET", path}, Call{"GET", path, {}, "", "prometheus", "wrong-pw-1"},
                             Call{"GET", path, {}, "", "nobody", password}, Call{"POST", path, {}, "x", "", ""}}) {
      Reply reply = exporter.call(call);
      EXPECT_EQ(reply.status, 401) << path << " as " << call.user;
      EXPECT_EQ(reply.header("WWW-Authenticate"), "Basic realm=\"pgconn_exporter\"") << path;
    }
    int status = exporter.call({"GET", path, {}, "", "prometheus", password}).status;
    EXPECT_EQ(status, std::string(path) == "/health/db" ? 503 : 200) << path;
  }
  Reply head = exporter.call({"HEAD", "/metrics", {}, "", "prometheus", password});
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  // SIGHUP replaces the users: the old password stops working at once, cache or not.
  exporter.rewrite_config(tls_section(certs) + "[web.basic_auth.users]\ngrafana = \"" + bcrypt_hash("Other-Pw-2") +
                          "\"\n" + kDeadTarget);
  exporter.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return exporter.call({"GET", "/", {}, "", "grafana", "Other-Pw-2"}).status == 200; }));
  EXPECT_EQ(exporter.call({"GET", "/", {}, "", "prometheus", password}).status, 401);

  std::string logs = exporter.err() + exporter.out();
  for (const std::string& secret : {password, std::string("wrong-pw-1"), std::string("Other-Pw-2"), hash}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(logs.find("msg=\"request rejected\" status=401"), std::string::npos);
}

TEST(WebSecurity, BasicAuthWithoutTlsWarns) {
  ExporterProcess exporter("[web.basic_auth.users]\np = \"" + bcrypt_hash("x") + "\"\n" + kDeadTarget, when_accepting());
  EXPECT_EQ(exporter.call({}).status, 401);
  EXPECT_NE(exporter.err().find("passwords cross the network in clear text"), std::string::npos);
}

TEST(WebSecurity, OnlyBoundedReadRequestsAreServed) {
  ExporterProcess exporter(kDeadTarget, when_accepting());
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    Reply reply = exporter.call({method, "/metrics", {}, "body"});
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(reply.header("Allow"), "GET, HEAD") << method;
  }
  Reply head = exporter.call({"HEAD", "/metrics"});
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  httplib::Headers many;
  for (int i = 0; i < 150; ++i) many.emplace("X-Filler-" + std::to_string(i), "1");
  EXPECT_EQ(exporter.call({"GET", "/metrics", many}).status, 431);
  EXPECT_EQ(raw_status_line(exporter.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" +
                                                 std::string(1 << 20, 'a')),
            "HTTP/1.1 400 Bad Request");
  // The head's limits (http/head_reader.h): 16 KiB in all, the request line at most 8 KiB.
  EXPECT_EQ(raw_status_line(exporter.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') +
                                                 "\r\n\r\n"),
            "HTTP/1.1 200 OK");
  EXPECT_EQ(raw_status_line(exporter.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17000, 'a') +
                                                 "\r\n\r\n"),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(raw_status_line(exporter.port(), "GET /probe?target=" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 414 URI Too Long");
  EXPECT_EQ(exporter.call({"GET", "/metrics"}).status, 200);  // still serving
}
