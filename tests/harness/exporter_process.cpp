#include "exporter_process.h"

#include <httplib.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pg_server.h"

extern char** environ;

namespace pgtest {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool accepts_connections(int port) {
  int fd = connect_loopback(port);
  if (fd < 0) return false;
  close(fd);
  return true;
}

}  // namespace

std::string exporter_binary() { return PGCONN_EXPORTER_BIN; }

int wait_for_exit(pid_t& pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

ExporterProcess::ExporterProcess(const std::string& config_toml, ExporterOptions options) {
  // The exporter closes connections it rejects; a client's TLS shutdown
  // then writes to a closed socket, which must not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  config_path_ = dir_.file("pgconn.toml");
  port_ = free_loopback_port();
  std::vector<std::string> argv = {exporter_binary()};
  if (!config_toml.empty()) {
    rewrite_config(config_toml);
    argv.push_back("--config.file=" + config_path_);
  }
  if (config_toml.find("{{LISTEN}}") == std::string::npos) {
    argv.push_back("--web.listen-address=127.0.0.1:" + std::to_string(port_));
  }
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  std::vector<std::string> env = options.env;
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
    if (options.wait_for_health ? get("/health").status == 200 : accepts_connections(port_)) return;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("exporter did not start serving within 10 s:\n" + logs());
}

ExporterProcess::~ExporterProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void ExporterProcess::rewrite_config(const std::string& config_toml) const {
  dir_.write("pgconn.toml", replace_all(replace_all(config_toml, "{{LISTEN}}", "127.0.0.1:" + std::to_string(port_)),
                                       "{{DIR}}", dir_.path()));
}

HttpResult ExporterProcess::get(const std::string& path) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  auto res = client.Get(path.c_str());
  if (!res) return {0, ""};
  return {res->status, res->body};
}

std::optional<double> find_sample(const std::string& text, const std::string& name,
                                  const std::map<std::string, std::string>& labels) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.compare(0, name.size(), name) != 0) continue;
    char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    bool all = true;
    for (const auto& [k, v] : labels) all = all && line.find(k + "=\"" + v + "\"") != std::string::npos;
    if (!all) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return std::nullopt;
}

std::optional<double> ExporterProcess::metric(const std::string& name,
                                              const std::map<std::string, std::string>& labels) const {
  HttpResult r = get("/metrics");
  if (r.status != 200) return std::nullopt;
  return find_sample(r.body, name, labels);
}

bool ExporterProcess::wait_for(const std::string& name, const std::map<std::string, std::string>& labels,
                               const std::function<bool(double)>& predicate, int timeout_ms) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto value = metric(name, labels);
    if (value && predicate(*value)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void ExporterProcess::signal(int sig) const { kill(pid_, sig); }

int ExporterProcess::wait_exit(int timeout_ms) { return wait_for_exit(pid_, timeout_ms); }

Reply ExporterProcess::call(const Call& call) const {
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

std::string Reply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string ExporterProcess::out() const { return read_file(dir_.file("stdout")); }
std::string ExporterProcess::err() const { return read_file(dir_.file("stderr")); }
std::string ExporterProcess::logs() const { return err() + out(); }

}  // namespace pgtest
