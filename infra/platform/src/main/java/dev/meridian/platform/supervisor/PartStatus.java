package dev.meridian.platform.supervisor;

import java.util.List;

/**
 * One line of {@code ./platform status}: a part, its state ({@code running}, {@code starting}, {@code restarting},
 * {@code stopped}; {@code external} for a server the platform uses but did not start), its pid (0: none), where it
 * answers, how often it was restarted ({@code -1}: not supervised) and what happened last.
 */
public record PartStatus(String name, String state, long pid, String url, int restarts, String note) {

    private static final String TAB = "\t";

    /** One line of the status file (tab-separated; tabs and newlines in the note become spaces). */
    public String toLine() {
        return String.join(TAB, name, state, Long.toString(pid), url, Integer.toString(restarts),
                note.replaceAll("[\\t\\n\\r]", " "));
    }

    public static PartStatus parse(String line) {
        String[] f = line.split(TAB, -1);
        if (f.length < 6) {
            throw new IllegalArgumentException("not a status line: " + line);
        }
        return new PartStatus(f[0], f[1], Long.parseLong(f[2]), f[3], Integer.parseInt(f[4]), f[5]);
    }

    /** The same line with the state a look at the process gives: a recorded run whose process is gone is dead. */
    public PartStatus checked() {
        boolean claimsProcess = state.equals("running") || state.equals("starting");
        if (claimsProcess && pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false) {
            return new PartStatus(name, "dead", pid, url, restarts, "no process " + pid + (note.isEmpty() ? "" : "; " + note));
        }
        return this;
    }

    /** The table {@code ./platform status} prints. */
    public static String table(List<PartStatus> parts) {
        int width = Math.max(10, parts.stream().mapToInt(p -> p.name().length()).max().orElse(0));
        int urlWidth = Math.max(3, parts.stream().mapToInt(p -> p.url().length()).max().orElse(0));
        String format = "%-" + width + "s  %-10s  %-8s  %-" + urlWidth + "s  %-8s  %s%n";
        var out = new StringBuilder(String.format(format, "PART", "STATE", "PID", "URL", "RESTARTS", "").stripTrailing())
                .append('\n');
        for (PartStatus p : parts) {
            out.append(String.format(format, p.name(), p.state(), p.pid() > 0 ? Long.toString(p.pid()) : "-", p.url(),
                    p.restarts() >= 0 ? Integer.toString(p.restarts()) : "-", p.note()).stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
