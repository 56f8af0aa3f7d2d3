import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

/**
 * Independent oracle for Hive bucketing v1 field hashes, in Java's own integer semantics (the
 * language Hive and Trino are written in). One request per stdin line, one hash per stdout line:
 *   string <UTF-16 code units as hex, 4 digits each>   → h = 31*h + byte over String.getBytes(UTF_8)
 *   bigint <decimal long>                              → Long.hashCode(v) = (int)(v ^ (v >>> 32))
 *   date <YYYY-MM-DD>                                   → (int) LocalDate.toEpochDay()
 * Run with `java HiveV1Oracle.java` (single-file source launch, Java 11+).
 */
public class HiveV1Oracle {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      int space = line.indexOf(' ');
      String kind = space < 0 ? line : line.substring(0, space);
      String arg = space < 0 ? "" : line.substring(space + 1);
      int hash;
      switch (kind) {
        case "string": {
          char[] units = new char[arg.length() / 4];
          for (int i = 0; i < units.length; i++) units[i] = (char) Integer.parseInt(arg.substring(4 * i, 4 * i + 4), 16);
          hash = 0;
          for (byte b : new String(units).getBytes(StandardCharsets.UTF_8)) hash = 31 * hash + b;
          break;
        }
        case "bigint":
          hash = Long.hashCode(Long.parseLong(arg));
          break;
        case "date":
          hash = (int) LocalDate.parse(arg).toEpochDay();
          break;
        default:
          throw new IllegalArgumentException("unknown request: " + line);
      }
      out.append(hash).append('\n');
    }
    System.out.print(out);
  }
}
