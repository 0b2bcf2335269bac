// Compiled into every program that links kiln::kiln from an installed kiln
// (cmake/install.cmake adds it, with KILN_INSTALLED_WORKER the installed
// kiln_worker's path). The tuner, linked statically into the program, asks it
// where its worker is (search/worker_process.cc). Weak, so that two targets
// of one program that both link kiln::kiln do not clash.
extern "C" const char* kiln_installed_worker_path();

extern "C" __attribute__((weak)) const char* kiln_installed_worker_path() {
  return KILN_INSTALLED_WORKER;
}
