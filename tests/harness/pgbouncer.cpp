#include "pgbouncer.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace pgtest {
namespace {

std::string as_postgres(const std::string& command) {
  return geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

}  // namespace

PgBouncer::PgBouncer(const PgServer& server, PgBouncerOptions options) {
  char tmpl[] = "/tmp/pgconn-pgbouncer-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  port_ = free_loopback_port();
  {
    std::ofstream ini(dir_ + "/pgbouncer.ini");
    ini << "[databases]\n"
        << "appdb = host=127.0.0.1 port=" << server.port() << " dbname=postgres pool_size=" << options.pool_size
        << " reserve_pool=" << options.reserve_pool << "\n"
        << "[pgbouncer]\n"
        << "listen_addr = 127.0.0.1\nlisten_port = " << port_ << "\nunix_socket_dir = " << dir_ << "\n"
        << "auth_type = trust\nauth_file = " << dir_ << "/userlist.txt\n"
        << "admin_users = postgres\nstats_users = stats\n"
        << "pool_mode = " << options.pool_mode << "\nmax_client_conn = " << options.max_client_conn << "\n"
        << "default_pool_size = " << options.pool_size << "\n"
        << "logfile = " << dir_ << "/pgbouncer.log\npidfile = " << dir_ << "/pgbouncer.pid\n";
    std::ofstream users(dir_ + "/userlist.txt");
    users << "\"postgres\" \"\"\n\"stats\" \"\"\n\"nobody\" \"\"\n";
  }
  if (geteuid() == 0) run_command("chown -R postgres:postgres '" + dir_ + "'");
  start();
}

PgBouncer::~PgBouncer() {
  try {
    if (running_) stop();
  } catch (...) {
  }
  std::string cmd = "rm -rf '" + dir_ + "'";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir_.c_str());
}

std::string PgBouncer::console_url(const std::string& user) const {
  return "postgresql://" + user + "@127.0.0.1:" + std::to_string(port_) + "/pgbouncer";
}

std::string PgBouncer::conninfo(const std::string& user) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + user + " dbname=appdb";
}

void PgBouncer::start() {
  run_command(as_postgres("/usr/sbin/pgbouncer -d -q " + dir_ + "/pgbouncer.ini"));
  running_ = true;
  for (int i = 0; i < 100; ++i) {  // up to 5 s for the listener
    try {
      run_command("pg_isready -q -h 127.0.0.1 -p " + std::to_string(port_));
      return;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  throw std::runtime_error("pgbouncer did not start listening");
}

void PgBouncer::stop() {
  std::ifstream pidfile(dir_ + "/pgbouncer.pid");
  int pid = 0;
  pidfile >> pid;
  if (pid > 0) {
    kill(pid, SIGINT);  // immediate shutdown
    for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  running_ = false;
}

}  // namespace pgtest
