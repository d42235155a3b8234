import java.util.ArrayList;
import java.util.List;
import org.apache.jena.cmd.CmdMain;

/**
 * Runs several of Jena's own command lines (riot, arq) in one JVM, exactly as the commands.
 *
 * <p>Usage: {@code java -cp CLASSPATH JenaCommands riot ARGS... ";;" arq ARGS... ";;" ...}
 *
 * <p>After each command a line "#jena-commands-exit CODE" goes to standard output and to
 * standard error, so the caller can split both by command. One JVM instead of one per
 * command saves about a second each.
 */
public class JenaCommands {
  static final String SEPARATOR = ";;";
  static final String MARKER = "#jena-commands-exit ";

  /** riot's constructor is protected: a subclass reaches it. */
  static class Riot extends riotcmd.riot {
    Riot(String[] argv) {
      super(argv);
    }
  }

  public static void main(String[] argv) {
    List<String> command = new ArrayList<>();
    for (String argument : argv) {
      if (argument.equals(SEPARATOR)) {
        run(command);
        command.clear();
      } else {
        command.add(argument);
      }
    }
    if (!command.isEmpty()) {
      run(command);
    }
  }

  static void run(List<String> command) {
    String[] arguments = command.subList(1, command.size()).toArray(new String[0]);
    CmdMain tool;
    switch (command.get(0)) {
      case "riot":
        tool = new Riot(arguments);
        break;
      case "arq":
        tool = new arq.arq(arguments);
        break;
      default:
        throw new IllegalArgumentException("unknown command: " + command.get(0));
    }
    int code;
    try {
      code = tool.mainRun(false, false);
    } catch (RuntimeException error) {
      error.printStackTrace();
      code = 99;
    }
    System.out.flush();
    System.out.println();
    System.out.println(MARKER + code);
    System.out.flush();
    System.err.println();
    System.err.println(MARKER + code);
    System.err.flush();
  }
}
