package dev.ferrymq.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * src/test/scripts/ensure-chromium.sh, which the CI profile runs before the tests, with a PATH of stand-ins (the
 * machine's own chromium and apt-get are neither seen nor touched): absent browser, apt-get run non-interactively,
 * and a clear failure when it cannot install.
 */
class EnsureChromiumScriptTest {
    private static final Path SCRIPT = Path.of("src/test/scripts/ensure-chromium.sh");
    private static final String APT_GET_THAT_INSTALLS = """
            #!/bin/bash
            echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND apt-get $*" >> "${0%/*}/apt.log"
            if [ "$1" = install ]; then
              for tool in chromium chromedriver; do
                printf '#!/bin/sh\\n' > "${0%/*}/$tool"
                /bin/chmod +x "${0%/*}/$tool"
              done
            fi
            """;

    @TempDir
    Path bin;

    @Test
    void doesNothingWhenChromiumAndChromedriverAreOnPath() throws Exception {
        tool("chromium", "#!/bin/sh\n");
        tool("chromedriver", "#!/bin/sh\n");
        tool("apt-get", APT_GET_THAT_INSTALLS);

        Result result = run();

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("found " + bin.resolve("chromium"));
        assertThat(bin.resolve("apt.log")).doesNotExist();
    }

    @Test
    void installsChromiumAndChromiumDriverNonInteractivelyWhenMissing() throws Exception {
        tool("apt-get", APT_GET_THAT_INSTALLS);

        Result result = run();

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(Files.readAllLines(bin.resolve("apt.log"))).containsExactly(
                "DEBIAN_FRONTEND=noninteractive apt-get update -q",
                "DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver");
        assertThat(result.output).contains("installed " + bin.resolve("chromium") + " and "
                + bin.resolve("chromedriver"));
    }

    @Test
    void failsSayingWhatToInstallWhenAptGetFails() throws Exception {
        tool("apt-get", "#!/bin/bash\nexit 100\n");

        Result result = run();

        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("'apt-get update' failed")
                .contains("install them with 'apt-get install -y chromium chromium-driver'");
    }

    @Test
    void failsWhenTheInstalledPackagesStillLeaveNoBrowserOnPath() throws Exception {
        tool("apt-get", "#!/bin/bash\nexit 0\n");

        Result result = run();

        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("still not on PATH");
    }

    @Test
    void failsWithoutAptGet() throws Exception {
        Result result = run();

        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("there is no apt-get");
    }

    private void tool(String name, String script) throws IOException {
        Path file = Files.writeString(bin.resolve(name), script);
        assertThat(file.toFile().setExecutable(true)).isTrue();
    }

    private Result run() throws Exception {
        // stands in for a password-less sudo when the tests do not run as root
        tool("sudo", "#!/bin/bash\nshift\nexec \"$@\"\n");
        ProcessBuilder builder = new ProcessBuilder(List.of("/bin/bash", SCRIPT.toString()))
                .redirectErrorStream(true);
        builder.environment().put("PATH", bin.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int exitCode, String output) {
    }
}
