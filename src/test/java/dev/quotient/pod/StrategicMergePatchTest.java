package dev.quotient.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrategicMergePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Single quotes stand for double quotes so the table stays readable. */
  static JsonNode j(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "objects merge                   | {'a':{'x':1,'y':2}}                         | {'a':{'y':3,'z':4}}                                  | {'a':{'x':1,'y':3,'z':4}}",
        "new fields are added            | {'a':1}                                     | {'b':{'c':[1]}}                                       | {'a':1,'b':{'c':[1]}}",
        "null deletes a field            | {'a':1,'b':2}                               | {'a':null}                                            | {'b':2}",
        "scalar replaces object          | {'a':{'x':1}}                               | {'a':5}                                               | {'a':5}",
        "plain lists replace             | {'args':['a','b']}                          | {'args':['c']}                                        | {'args':['c']}",
        "containers merge by name        | {'containers':[{'name':'p','image':'i'}]}    | {'containers':[{'name':'p','image':'j'},{'name':'s'}]} | {'containers':[{'name':'p','image':'j'},{'name':'s'}]}",
        "initContainers merge by name    | {'initContainers':[{'name':'a','x':1}]}      | {'initContainers':[{'name':'a','y':2}]}                | {'initContainers':[{'name':'a','x':1,'y':2}]}",
        "env merges by name              | {'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]} | {'env':[{'name':'B','value':'3'},{'name':'C','value':'4'}]} | {'env':[{'name':'A','value':'1'},{'name':'B','value':'3'},{'name':'C','value':'4'}]}",
        "volumes merge by name           | {'volumes':[{'name':'home','emptyDir':{}}]}  | {'volumes':[{'name':'data','secret':{'secretName':'s'}}]} | {'volumes':[{'name':'home','emptyDir':{}},{'name':'data','secret':{'secretName':'s'}}]}",
        "volumeMounts merge by mountPath | {'volumeMounts':[{'name':'h','mountPath':'/h'}]} | {'volumeMounts':[{'name':'x','mountPath':'/h','readOnly':true}]} | {'volumeMounts':[{'name':'x','mountPath':'/h','readOnly':true}]}",
        "ports merge by containerPort    | {'ports':[{'containerPort':80,'name':'a'}]}   | {'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':81}]} | {'ports':[{'containerPort':80,'name':'a','protocol':'TCP'},{'containerPort':81}]}",
        "tolerations append              | {'tolerations':[{'key':'a'}]}                | {'tolerations':[{'key':'b'}]}                          | {'tolerations':[{'key':'a'},{'key':'b'}]}",
        "tolerations are not duplicated  | {'tolerations':[{'key':'a'}]}                | {'tolerations':[{'key':'a'},{'key':'b'}]}              | {'tolerations':[{'key':'a'},{'key':'b'}]}",
        "list into missing field         | {}                                          | {'containers':[{'name':'s','$patch':'delete'}]}         | {'containers':[{'name':'s'}]}",
        "$patch: replace on an object    | {'a':{'x':1,'y':2}}                         | {'a':{'$patch':'replace','z':3}}                       | {'a':{'z':3}}",
        "$patch: delete on an object     | {'a':{'x':1},'b':1}                         | {'a':{'$patch':'delete'}}                              | {'b':1}",
        "$patch: delete on a list item   | {'env':[{'name':'A'},{'name':'B'}]}          | {'env':[{'name':'A','$patch':'delete'}]}               | {'env':[{'name':'B'}]}",
        "deleting a missing item is a no-op | {'env':[{'name':'A'}]}                    | {'env':[{'name':'Z','$patch':'delete'}]}               | {'env':[{'name':'A'}]}",
        "directives are stripped from new items | {'env':[]}                           | {'env':[{'name':'A','x':{'$patch':'replace','v':1}}]}  | {'env':[{'name':'A','x':{'v':1}}]}",
        "nested merge into a container   | {'containers':[{'name':'p','securityContext':{'runAsUser':1,'runAsNonRoot':true}}]} | {'containers':[{'name':'p','securityContext':{'runAsUser':2}}]} | {'containers':[{'name':'p','securityContext':{'runAsUser':2,'runAsNonRoot':true}}]}",
        "top-level $patch ignored on merge | {'a':1}                                   | {'$patch':'merge','b':2}                               | {'a':1,'b':2}",
      })
  void merges(String title, String target, String patch, String expected) {
    assertThat(StrategicMergePatch.apply(j(target), j(patch))).isEqualTo(j(expected));
  }

  @Test
  void targetIsNotModified() {
    JsonNode target = j("{'spec':{'containers':[{'name':'p','env':[{'name':'A'}]}]}}");
    JsonNode before = target.deepCopy();
    JsonNode patch = j("{'spec':{'containers':[{'name':'p','env':[{'name':'B'}]}]}}");
    JsonNode patchBefore = patch.deepCopy();
    JsonNode result = StrategicMergePatch.apply(target, patch);
    assertThat(target).isEqualTo(before);
    assertThat(patch).isEqualTo(patchBefore);
    assertThat(result).isNotEqualTo(before);
  }

  @Test
  void nullPatchReturnsTheTarget() {
    JsonNode target = j("{'a':1}");
    assertThat(StrategicMergePatch.apply(target, null)).isEqualTo(target);
    assertThat(StrategicMergePatch.apply(target, j("null"))).isEqualTo(target);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[{'spec':{}}]", "'text'", "42", "true"})
  void patchMustBeAnObject(String patch) {
    assertThatThrownBy(() -> StrategicMergePatch.apply(j("{}"), j(patch)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("podPatch must be an object");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "containers   | {'containers':[{'image':'x'}]}      | name",
        "env          | {'env':['A=1']}                     | name",
        "volumeMounts | {'volumeMounts':[{'name':'h'}]}      | mountPath",
      })
  void keyedListItemsNeedTheirMergeKey(String field, String patch, String key) {
    JsonNode target = j("{'containers':[],'env':[],'volumeMounts':[]}");
    assertThatThrownBy(() -> StrategicMergePatch.apply(target, j(patch)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + field + "'")
        .hasMessageContaining("'" + key + "'");
  }
}
