#include "secure_exporter.h"

#include <crypt.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "exporter_process.h"
#include "pg_server.h"

extern char** environ;

namespace pgtest {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

bool accepts_connections(int port) {
  int fd = connect_loopback(port);
  if (fd < 0) return false;
  close(fd);
  return true;
}

}  // namespace

void make_certificate(const TempDir& dir, const std::string& name) {
  run_command("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=" + name +
              " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + dir.file(name + ".key") + " -out " +
              dir.file(name + ".crt"));
}

std::string bcrypt_hash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt)) throw std::runtime_error("crypt_gensalt failed");
  crypt_data data{};
  return crypt_r(password.c_str(), salt, &data);
}

std::string Reply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

SecureExporter::SecureExporter(const std::string& config_toml, std::vector<std::string> env,
                               std::vector<std::string> args) {
  // The exporter closes connections it rejects; the client's TLS shutdown
  // then writes to a closed socket, which must not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  port_ = free_loopback_port();
  std::vector<std::string> argv = {exporter_binary(), "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
  if (!config_toml.empty()) {
    rewrite_config(config_toml);
    argv.push_back("--config.file=" + dir_.file("pgconn.toml"));
  }
  argv.insert(argv.end(), args.begin(), args.end());
  // The test's own environment minus any DSN, plus the test's entries.
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (entry.rfind("DATABASE_URL", 0) != 0 && entry.rfind("PGCONN_DSN", 0) != 0) env.push_back(entry);
  }
  std::string out_path = dir_.file("stdout"), err_path = dir_.file("stderr");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDOUT_FILENO);
    dup2(open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDERR_FILENO);
    std::vector<char*> c_argv, c_env;
    for (auto& a : argv) c_argv.push_back(a.data());
    for (auto& e : env) c_env.push_back(e.data());
    c_argv.push_back(nullptr);
    c_env.push_back(nullptr);
    execve(c_argv[0], c_argv.data(), c_env.data());
    _exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    if (accepts_connections(port_)) return;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("exporter did not start serving:\n" + err());
}

SecureExporter::~SecureExporter() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void SecureExporter::rewrite_config(const std::string& config_toml) const {
  dir_.write("pgconn.toml", replace_all(config_toml, "{{DIR}}", dir_.path()));
}

Reply SecureExporter::call(const Call& call) const {
  std::string base = (ca_file_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port_);
  httplib::Client client(base);
  if (!ca_file_.empty()) {
    client.set_ca_cert_path(ca_file_);
    client.enable_server_certificate_verification(true);
  }
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  if (!call.user.empty()) client.set_basic_auth(call.user, call.password);
  httplib::Request req;
  req.method = call.method;
  req.path = call.path;
  req.headers = call.headers;
  req.body = call.body;
  auto res = client.send(req);
  if (!res) return {};
  return {res->status, res->body, res->headers};
}

void SecureExporter::signal(int sig) const { kill(pid_, sig); }

int SecureExporter::wait_exit(int timeout_ms) { return wait_for_exit(pid_, timeout_ms); }

std::string SecureExporter::out() const { return read_file(dir_.file("stdout")); }
std::string SecureExporter::err() const { return read_file(dir_.file("stderr")); }

}  // namespace pgtest
