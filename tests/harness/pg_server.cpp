#include "pg_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pgtest {
namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

bool running_as_root() { return geteuid() == 0; }

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace

std::string run_command(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("command failed: " + command + "\n" + output);
  }
  return output;
}

CommandResult run_status(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(("(" + command + ") </dev/null 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  return result;
}

namespace {

sockaddr_in loopback_address(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

}  // namespace

int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = loopback_address(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr = loopback_address(0);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("bind() to a loopback port failed");
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

PgServer::PgServer(PgServerOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/pgconn-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  data_dir_ = dir_ + "/data";
  port_ = free_loopback_port();
  if (running_as_root()) run_command("chown postgres:postgres " + shell_quote(dir_));
  run_as_postgres(std::string(kBinDir) + "/initdb -N -A trust -U postgres -E UTF8 --locale=C -D " +
                  shell_quote(data_dir_) + " >/dev/null");
  std::ostringstream conf;
  conf << "listen_addresses = '127.0.0.1'\n"
       << "port = " << port_ << "\n"
       << "unix_socket_directories = '" << dir_ << "'\n"
       << "max_connections = " << options_.max_connections << "\n"
       << "superuser_reserved_connections = " << options_.superuser_reserved_connections << "\n"
       << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
       << "shared_buffers = 16MB\nlogging_collector = off\n";
  for (const auto& line : options_.extra_conf) conf << line << "\n";
  {
    std::ofstream out(data_dir_ + "/postgresql.auto.conf", std::ios::app);
    out << conf.str();
  }
  // Password auth over TCP for roles that have one, trust otherwise is not
  // possible in one line; tests that need passwords use scram roles and the
  // "password" rule below, everything else connects as trusted postgres.
  {
    std::ofstream hba(data_dir_ + "/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\n"
        << "host all postgres 127.0.0.0/8 trust\n"
        << "host all +pgconn_trusted 127.0.0.0/8 trust\n"
        << "host all all 127.0.0.0/8 scram-sha-256\n";
  }
  if (options_.start) start();
}

PgServer::~PgServer() {
  try {
    if (running_) {
      thaw();
      stop("immediate");
    }
  } catch (...) {
  }
  std::string cmd = "rm -rf " + shell_quote(dir_);
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir_.c_str());
}

void PgServer::run_as_postgres(const std::string& command) const {
  std::string full = running_as_root()
                         ? "runuser -u postgres -- sh -c " + shell_quote(command)
                         : "sh -c " + shell_quote(command);
  run_command(full);
}

std::string PgServer::url(const std::string& user, const std::string& database,
                          const std::string& password) const {
  std::string auth = user;
  if (!password.empty()) auth += ":" + password;
  return "postgresql://" + auth + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PgServer::conninfo(const std::string& user, const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + user + " dbname=" + database;
}

void PgServer::start() {
  run_as_postgres(std::string(kBinDir) + "/pg_ctl -w -t 30 -D " + shell_quote(data_dir_) +
                  " -l " + shell_quote(dir_ + "/server.log") + " start >/dev/null");
  running_ = true;
  // The first-ever start creates the group used by trusted test roles.
  psql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgconn_trusted') "
       "THEN CREATE ROLE pgconn_trusted NOLOGIN; END IF; END $$;");
}

void PgServer::stop(const std::string& mode) {
  run_as_postgres(std::string(kBinDir) + "/pg_ctl -w -t 30 -m " + mode + " -D " +
                  shell_quote(data_dir_) + " stop >/dev/null");
  running_ = false;
}

void PgServer::restart(const std::string& mode) {
  stop(mode);
  start();
}

int PgServer::postmaster_pid() const {
  std::ifstream pidfile(data_dir_ + "/postmaster.pid");
  int pid = 0;
  pidfile >> pid;
  return pid;
}

void PgServer::signal_all(int sig) {
  int pid = postmaster_pid();
  if (pid <= 0) return;
  // Children first when thawing does not matter; SIGSTOP/SIGCONT the whole tree.
  std::string children = run_command("pgrep -P " + std::to_string(pid) + " || true");
  std::istringstream in(children);
  int child;
  while (in >> child) kill(child, sig);
  kill(pid, sig);
}

void PgServer::freeze() { signal_all(SIGSTOP); }
void PgServer::thaw() { signal_all(SIGCONT); }

std::string PgServer::psql(const std::string& sql, const std::string& database) const {
  std::string cmd = "/usr/bin/psql -X -q -A -t -v ON_ERROR_STOP=1 -h " + shell_quote(dir_) +
                    " -p " + std::to_string(port_) + " -U postgres -d " + shell_quote(database) +
                    " -c " + shell_quote(sql);
  std::string out = running_as_root() ? run_command("runuser -u postgres -- " + cmd) : run_command(cmd);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace pgtest
