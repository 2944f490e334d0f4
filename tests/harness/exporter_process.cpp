#include "exporter_process.h"

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pg_server.h"

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

ExporterProcess::ExporterProcess(const std::string& config_toml, std::vector<std::string> extra_args,
                                 std::vector<std::string> extra_env) {
  char tmpl[] = "/tmp/pgconn-exporter-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  config_path_ = dir_ + "/pgconn.toml";
  log_path_ = dir_ + "/exporter.log";
  port_ = free_loopback_port();
  rewrite_config(config_toml);

  std::vector<std::string> args = {exporter_binary(), "--config.file=" + config_path_};
  if (config_toml.find("{{LISTEN}}") == std::string::npos) {
    args.push_back("--web.listen-address=127.0.0.1:" + std::to_string(port_));
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    FILE* log = std::fopen(log_path_.c_str(), "w");
    if (log) {
      dup2(fileno(log), STDOUT_FILENO);
      dup2(fileno(log), STDERR_FILENO);
    }
    for (const auto& e : extra_env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  for (int i = 0; i < 100; ++i) {
    if (get("/health").status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("exporter did not start serving within 5 s:\n" + logs());
}

ExporterProcess::~ExporterProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::string cmd = "rm -rf '" + dir_ + "'";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir_.c_str());
}

void ExporterProcess::rewrite_config(const std::string& config_toml) const {
  std::ofstream out(config_path_, std::ios::trunc);
  out << replace_all(config_toml, "{{LISTEN}}", "127.0.0.1:" + std::to_string(port_));
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

std::string ExporterProcess::logs() const {
  std::ifstream in(log_path_);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace pgtest
